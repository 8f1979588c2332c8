namespace InviteStream.Engagement.Authentication;

/// <summary>
/// The token endpoint refused the client credentials. Not retried: the same credentials will be
/// refused again. The message names the status only, never a credential.
/// </summary>
public sealed class EngagementAuthenticationException : Exception
{
    public EngagementAuthenticationException()
    {
    }

    public EngagementAuthenticationException(string message)
        : base(message)
    {
    }

    public EngagementAuthenticationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public EngagementAuthenticationException(int statusCode)
        : base($"OAuth token request failed with HTTP {statusCode}.") => StatusCode = statusCode;

    public int StatusCode { get; }
}
