namespace InviteStream.Core.Campaigns;

/// <summary>One problem in a campaign file, located by file name and JSON path.</summary>
public sealed record CampaignDiagnostic(DiagnosticSeverity Severity, string Source, string JsonPath, string Message)
{
    public override string ToString() =>
        $"{(Severity == DiagnosticSeverity.Error ? "error" : "warning")}: {Source} {JsonPath}: {Message}";
}
