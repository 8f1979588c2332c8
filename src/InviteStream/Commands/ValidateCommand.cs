using System.CommandLine;
using InviteStream.Campaigns;
using InviteStream.Core.Campaigns;

namespace InviteStream.Commands;

/// <summary><c>validate &lt;dir&gt;</c>: checks campaign files without starting anything.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var directory = new Argument<DirectoryInfo>("dir") { Description = "Folder of campaign *.json files." };
        var command = new Command("validate", "Validate the campaign files of a folder; exits non-zero on errors.") { directory };
        command.SetAction(result => Validate(result.GetValue(directory)!, Console.Out));
        return command;
    }

    public static int Validate(DirectoryInfo directory, TextWriter output)
    {
        var (campaigns, diagnostics) = CampaignDirectory.Load(directory.FullName);
        foreach (var diagnostic in diagnostics)
        {
            output.WriteLine(diagnostic);
        }

        var errors = diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
        var warnings = diagnostics.Count - errors;
        output.WriteLine($"{campaigns.Campaigns.Count} campaign(s) valid, {errors} error(s), {warnings} warning(s).");
        return errors == 0 ? ExitCodes.Success : ExitCodes.InvalidCampaigns;
    }
}
