namespace InviteStream.IntegrationTests;

/// <summary>A temporary campaign folder holding one campaign file, for verbs that read campaigns from disk.</summary>
internal sealed class CampaignFolder : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("invitestream-campaigns-");

    public CampaignFolder(string campaignJson) => File.WriteAllText(System.IO.Path.Combine(_directory.FullName, "campaign.json"), campaignJson);

    public string Path => _directory.FullName;

    public void Dispose() => _directory.Delete(recursive: true);
}
