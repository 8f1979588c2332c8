namespace InviteStream.Kafka.Clients;

/// <summary>Which of the worker's producers: each stage commits its own transactions, and grants are written outside any.</summary>
internal enum PublisherRole
{
    /// <summary>The contact stage's: outcomes, dead letters, state, re-keyed records and triggers.</summary>
    Contacts,

    /// <summary>The dispatch stage's: results.</summary>
    Dispatch,

    /// <summary>The grant changelog's, never transactional.</summary>
    Grants,

    /// <summary>The stats stage's: per-minute totals, never transactional (a total records which partials it holds).</summary>
    Stats,

    /// <summary>A replay's, writing what-if outcomes to a topic of its own, never transactional.</summary>
    Replay,
}
