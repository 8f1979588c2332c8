using InviteStream.Engagement;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace InviteStream.Operations;

/// <summary>
/// Ready unless the engagement API's circuit has been open longer than
/// <see cref="HealthOptions.MaxCircuitOpen"/>: a short outage is the circuit's job, a long one
/// should send traffic elsewhere.
/// </summary>
internal sealed class EngagementCircuitCheck(DispatchHealth dispatch, IOptions<HealthOptions> options, TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Task.FromResult(dispatch.CircuitOpenSince is { } openSince && time.GetUtcNow() - openSince > options.Value.MaxCircuitOpen
            ? new HealthCheckResult(context.Registration.FailureStatus, $"engagement API circuit open since {openSince:O}")
            : HealthCheckResult.Healthy());
    }
}
