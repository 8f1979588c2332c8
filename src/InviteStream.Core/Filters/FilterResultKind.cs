namespace InviteStream.Core.Filters;

public enum FilterResultKind : byte
{
    Matched,
    NotMatched,
    Missing,
    TypeMismatch,
}
