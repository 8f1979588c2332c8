namespace InviteStream.Kafka.Clients;

/// <summary>Which of the worker's producers: in transactional mode each stage commits its own transactions, and grants and statistics are written outside any.</summary>
internal enum PublisherRole
{
    /// <summary>Every stage's, when none is transactional: one producer for all the worker writes.</summary>
    Stages,

    /// <summary>The contact stage's: outcomes, dead letters, state, re-keyed records and triggers.</summary>
    Contacts,

    /// <summary>The dispatch stage's: results.</summary>
    Dispatch,

    /// <summary>The grant changelog's and the stats stage's per-minute totals, never transactional (a total records which partials it holds).</summary>
    Grants,

    /// <summary>A replay's, writing what-if outcomes to a topic of its own, never transactional.</summary>
    Replay,
}
