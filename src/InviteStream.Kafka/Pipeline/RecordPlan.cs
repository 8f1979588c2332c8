using InviteStream.Core.Invites;

namespace InviteStream.Kafka.Pipeline;

/// <summary>What becomes of one consumed record: decided here, re-keyed to its contact's home partition, or dead-lettered.</summary>
internal readonly record struct RecordPlan(EventInput? Decide, Rekeying? Rekey, string? DeadLetterReason)
{
    public static RecordPlan DeadLetter(string reason) => new(null, null, reason);
}
