namespace InviteStream.Core.Filters;

/// <summary>The spellings of a filter's result in metric labels and the statistics records.</summary>
public static class FilterResultKindNames
{
    public static string ToWire(FilterResultKind kind) => kind switch
    {
        FilterResultKind.Matched => "matched",
        FilterResultKind.NotMatched => "not_matched",
        FilterResultKind.Missing => "missing",
        _ => "type_mismatch",
    };
}
