using InviteStream.Kafka.Pipeline;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace InviteStream.Operations;

/// <summary>Ready once the group has assigned this instance its partitions and each has restored its contact state.</summary>
internal sealed class PartitionsCheck(PipelineHealth pipeline) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (pipeline.IsReady)
        {
            // The healthy description is what /readyz answers: "ready: 4 partition(s)".
            return Task.FromResult(HealthCheckResult.Healthy($"{pipeline.PartitionsOwned} partition(s)"));
        }

        var restoring = pipeline.PartitionsRestoring;
        return Task.FromResult(new HealthCheckResult(
            context.Registration.FailureStatus,
            restoring > 0 ? $"restoring state of {restoring} partition(s)" : "no partitions assigned and restored yet"));
    }
}
