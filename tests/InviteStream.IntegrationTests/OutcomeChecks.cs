namespace InviteStream.IntegrationTests;

/// <summary>What an analytics consumer of the outcome topic relies on, read from the topic itself.</summary>
internal static class OutcomeChecks
{
    /// <summary>
    /// Every input record has an outcome; an event with more than one (allowed only after a crash)
    /// has the same status, reason and requestId in each.
    /// </summary>
    public static void OneAnswerPerInput(PipelineHarness harness, bool duplicatesAllowed)
    {
        var byInput = harness.ReadOutcomes()
            .GroupBy(o => (Partition: o.GetProperty("sourcePartition").GetInt32(), Offset: o.GetProperty("sourceOffset").GetInt64()))
            .ToDictionary(g => g.Key, g => g.ToList());
        var inputs = harness.ReadAll(harness.InputTopic).Select(r => (Partition: r.Partition.Value, Offset: r.Offset.Value)).ToList();

        Assert.That(inputs.Where(i => !byInput.ContainsKey(i)), Is.Empty, "inputs without an outcome");
        var disagreeing = byInput.Where(g => g.Value
            .Select(o => (Status: o.GetProperty("status").GetString(), Reason: Reason(o), RequestId: o.GetProperty("requestId").GetString()))
            .Distinct()
            .Count() > 1).Select(g => g.Key).ToList();
        Assert.That(disagreeing, Is.Empty, "events with outcomes that disagree");
        var duplicated = byInput.Count(g => g.Value.Count > 1);
        TestContext.Progress.WriteLine($"{inputs.Count} inputs, {byInput.Values.Sum(g => g.Count)} outcomes, {duplicated} events answered more than once (identically)");
        if (!duplicatesAllowed)
        {
            Assert.That(duplicated, Is.Zero, "events answered more than once");
        }
    }

    private static string? Reason(System.Text.Json.JsonElement outcome) =>
        outcome.TryGetProperty("reason", out var reason) && reason.ValueKind == System.Text.Json.JsonValueKind.String ? reason.GetString() : null;
}
