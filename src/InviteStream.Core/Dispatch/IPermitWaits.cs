namespace InviteStream.Core.Dispatch;

/// <summary>Where the time an invite waited for a rate-limit permit is reported (metrics), by limiter.</summary>
public interface IPermitWaits
{
    void Waited(string limiter, TimeSpan waited, bool granted);
}
