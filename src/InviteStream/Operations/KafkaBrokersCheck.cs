using InviteStream.Kafka.Pipeline;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace InviteStream.Operations;

/// <summary>Ready while a Kafka broker answers: the client has not reported every broker down.</summary>
internal sealed class KafkaBrokersCheck(PipelineHealth pipeline) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Task.FromResult(pipeline.BrokersReachable
            ? HealthCheckResult.Healthy()
            : new HealthCheckResult(context.Registration.FailureStatus, "no Kafka broker reachable"));
    }
}
