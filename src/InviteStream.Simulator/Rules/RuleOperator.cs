namespace InviteStream.Simulator.Rules;

/// <summary>A filter's <c>operator</c>, whichever of its two spellings the campaign used.</summary>
internal enum RuleOperator
{
    EqualTo,
    NotEqualTo,
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
    Contains,
    StartsWith,
    EndsWith,
    ContainsAny,
    ContainsNone,
    ContainsAll,
    NotContainsAll,
    Exists,
    NotExists,
}
