using InviteStream.Core.Events;
using InviteStream.Kafka.Replay;
using InviteStream.Kafka.Serialization;

namespace InviteStream.Replay;

/// <summary>Where a replay's records come from: each is an event, or the reason it would have been dead-lettered.</summary>
internal interface IReplaySource : IDisposable
{
    /// <summary>The share of the input read so far (0–1), when its size is known.</summary>
    double? Done { get; }

    IEnumerable<(EventOrigin Origin, EventReadResult Read)> Records(Func<string, bool> knownCampaign);
}

internal sealed class FileSource(EventFile file) : IReplaySource
{
    public double? Done => file.Length is { } length and > 0 ? (double)file.Position / length : null;

    public IEnumerable<(EventOrigin Origin, EventReadResult Read)> Records(Func<string, bool> knownCampaign) => file.Records();

    public void Dispose() => file.Dispose();
}

internal sealed class TopicSource(TopicRangeReader reader) : IReplaySource
{
    public double? Done => reader.Total > 0 ? (double)reader.Consumed / reader.Total : null;

    public IEnumerable<(EventOrigin Origin, EventReadResult Read)> Records(Func<string, bool> knownCampaign) => reader.Records(knownCampaign, CancellationToken.None);

    public void Dispose() => reader.Dispose();
}
