using Confluent.Kafka;
using InviteStream.Core.Outcomes;
using InviteStream.Kafka.Clients;
using InviteStream.Kafka.Serialization;

namespace InviteStream.Kafka.Replay;

/// <summary>
/// A replay's outcomes to a topic of the user's choosing (JSON, keyed by contact id) — never to a
/// topic the live worker reads or writes, so a what-if can not be mistaken for what happened.
/// </summary>
public sealed class OutcomeTopicWriter : IDisposable
{
    private readonly IProducer<string, byte[]> _producer;
    private readonly string _topic;
    private Exception? _failure;

    public OutcomeTopicWriter(KafkaOptions kafka, string topic)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        var live = TopicPlan.For(kafka, 1).Select(t => t.Name).Concat(kafka.SourceTopics).Append(kafka.OutcomeTopic).Append(kafka.DeadLetterTopic);
        if (live.Contains(topic, StringComparer.Ordinal))
        {
            throw new ArgumentException($"{topic} is a topic of the live worker; a replay writes its outcomes elsewhere.", nameof(topic));
        }

        _topic = topic;
        _producer = new ProducerBuilder<string, byte[]>(KafkaClientConfig.Publisher(kafka, PublisherRole.Replay)).Build();
    }

    public void Write(InviteOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (_failure is { } failure)
        {
            throw new InvalidOperationException($"Writing outcomes to {_topic} failed.", failure);
        }

        _producer.Produce(_topic, new Message<string, byte[]> { Key = outcome.ContactId, Value = OutcomeJson.Write(outcome) }, report =>
        {
            if (report.Error.IsError)
            {
                _failure ??= new KafkaException(report.Error);
            }
        });
    }

    /// <summary>Waits until every outcome is written; throws when one could not be.</summary>
    public void Flush(TimeSpan timeout)
    {
        if (_producer.Flush(timeout) > 0)
        {
            throw new TimeoutException($"Outcomes to {_topic} were not all written within {timeout}.");
        }

        if (_failure is { } failure)
        {
            throw new InvalidOperationException($"Writing outcomes to {_topic} failed.", failure);
        }
    }

    public void Dispose() => _producer.Dispose();
}
