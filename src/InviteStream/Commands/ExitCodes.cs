namespace InviteStream.Commands;

/// <summary>Process exit codes (part of the command-line contract).</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int InvalidCampaigns = 2;
    public const int InvalidConfiguration = 3;
    public const int InvalidTopics = 4;
}
