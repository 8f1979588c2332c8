namespace InviteStream.Core.Campaigns;

public enum DiagnosticSeverity
{
    Warning,
    Error,
}
