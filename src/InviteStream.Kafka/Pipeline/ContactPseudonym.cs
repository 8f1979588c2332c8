using System.Security.Cryptography;
using System.Text;

namespace InviteStream.Kafka.Pipeline;

/// <summary>
/// What logs say instead of a contactId: the same contact always gets the same pseudonym, so an
/// operator can follow one contact through the logs without the logs holding personal identifiers.
/// </summary>
internal static class ContactPseudonym
{
    public static string Of(string contactId, bool plain)
    {
        if (plain)
        {
            return contactId;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(contactId), hash);
        return "c_" + Convert.ToHexStringLower(hash[..8]);
    }
}
