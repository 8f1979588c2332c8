namespace InviteStream.Commands;

/// <summary>Process exit codes (part of the command-line contract).</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int InvalidCampaigns = 2;

    /// <summary>An unknown verb or option: the same code as invalid campaigns (what was given cannot be used as it is).</summary>
    public const int InvalidCommandLine = 2;
    public const int InvalidConfiguration = 3;
    public const int InvalidTopics = 4;
}
