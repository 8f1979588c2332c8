namespace InviteStream.Core.Dispatch;

/// <summary>
/// Told this instance's share of the input partitions on every rebalance, so N replicas together
/// never dispatch more than the configured rates.
/// </summary>
public interface IDispatchCapacity
{
    void SetShare(int assignedPartitions, int totalPartitions);
}
