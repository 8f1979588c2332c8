using InviteStream.Kafka.Pipeline;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace InviteStream.Operations;

/// <summary>Alive while the poll loop has turned within <see cref="HealthOptions.MaxPollStall"/>.</summary>
internal sealed class PollLoopCheck(PipelineHealth pipeline, IOptions<HealthOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var sincePoll = pipeline.SinceLastPoll;
        return Task.FromResult(sincePoll <= options.Value.MaxPollStall
            ? HealthCheckResult.Healthy()
            : new HealthCheckResult(context.Registration.FailureStatus, $"poll loop stalled for {sincePoll.TotalSeconds:F0} s"));
    }
}
