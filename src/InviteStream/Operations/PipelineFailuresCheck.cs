using InviteStream.Kafka.Pipeline;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace InviteStream.Operations;

/// <summary>Alive while no part of the pipeline has died; otherwise names each part that did, one per line.</summary>
internal sealed class PipelineFailuresCheck(PipelineHealth pipeline) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var failures = pipeline.Failures;
        return Task.FromResult(failures.Count == 0
            ? HealthCheckResult.Healthy()
            : new HealthCheckResult(context.Registration.FailureStatus, string.Join('\n', failures)));
    }
}
