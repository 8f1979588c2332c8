using Confluent.Kafka;
using InviteStream.Kafka.Clients;

namespace InviteStream.Kafka.Tests.Configuration;

/// <summary>The configuration of every client the worker builds, with the user's pass-through settings.</summary>
[TestFixture]
public sealed class KafkaClientConfigTests
{
    [Test]
    public void The_dotnet_clients_own_pass_through_keys_reach_only_their_kind_of_client_and_every_client_builds()
    {
        var options = Options(("dotnet.producer.enable.background.poll", "true"), ("dotnet.consumer.consume.result.fields", "all"), ("socket.keepalive.enable", "true"));

        Assert.Multiple(() =>
        {
            var publisher = KafkaClientConfig.Publisher(options, PublisherRole.Contacts);
            Assert.That(publisher.Get("dotnet.producer.enable.background.poll"), Is.EqualTo("true"));
            Assert.That(publisher.Get("dotnet.consumer.consume.result.fields"), Is.Null);
            Assert.That(publisher.Get("socket.keepalive.enable"), Is.EqualTo("true"));
            var consumer = KafkaClientConfig.GroupConsumer(options);
            Assert.That(consumer.Get("dotnet.consumer.consume.result.fields"), Is.EqualTo("all"));
            Assert.That(consumer.Get("dotnet.producer.enable.background.poll"), Is.Null);
            Assert.That(KafkaClientConfig.Admin(options).Where(p => p.Key.StartsWith("dotnet.", StringComparison.Ordinal)), Is.Empty);

            // librdkafka refuses a key it does not know when the client is built: build each kind.
            Assert.DoesNotThrow(() => new ProducerBuilder<byte[], byte[]>(publisher).Build().Dispose());
            foreach (var config in new[] { consumer, KafkaClientConfig.DispatchConsumer(options), KafkaClientConfig.StatsConsumer(options), KafkaClientConfig.FollowerConsumer(options), KafkaClientConfig.Restore(options) })
            {
                Assert.DoesNotThrow(() => new ConsumerBuilder<byte[], byte[]>(config).Build().Dispose(), config.ClientId);
            }

            Assert.DoesNotThrow(() => new AdminClientBuilder(KafkaClientConfig.Admin(options)).Build().Dispose());
        });
    }

    [Test]
    public void Consumers_that_events_wait_for_fetch_with_a_short_wait_and_the_stats_consumer_keeps_librdkafkas()
    {
        var defaults = Options();
        var userSet = Options(("fetch.wait.max.ms", "50"));

        Assert.Multiple(() =>
        {
            Assert.That(KafkaClientConfig.GroupConsumer(defaults).FetchWaitMaxMs, Is.EqualTo(KafkaClientConfig.FetchWaitMaxMs));
            Assert.That(KafkaClientConfig.DispatchConsumer(defaults).FetchWaitMaxMs, Is.EqualTo(KafkaClientConfig.FetchWaitMaxMs));
            Assert.That(KafkaClientConfig.FollowerConsumer(defaults).FetchWaitMaxMs, Is.EqualTo(KafkaClientConfig.FetchWaitMaxMs));
            Assert.That(KafkaClientConfig.StatsConsumer(defaults).FetchWaitMaxMs, Is.Null, "librdkafka's default");
            Assert.That(KafkaClientConfig.GroupConsumer(userSet).FetchWaitMaxMs, Is.EqualTo(50));
            Assert.That(KafkaClientConfig.StatsConsumer(userSet).FetchWaitMaxMs, Is.EqualTo(50), "the user's setting wins everywhere");
        });
    }

    [Test]
    public void Stage_consumers_commit_their_stored_offsets_every_100_ms_unless_the_user_says_otherwise()
    {
        var defaults = Options();
        var userSet = Options(("auto.commit.interval.ms", "1000"));

        Assert.Multiple(() =>
        {
            foreach (var config in new[] { KafkaClientConfig.GroupConsumer(defaults), KafkaClientConfig.FollowerConsumer(defaults), KafkaClientConfig.DispatchConsumer(defaults), KafkaClientConfig.StatsConsumer(defaults) })
            {
                Assert.That(config.AutoCommitIntervalMs, Is.EqualTo(100), config.ClientId);
                Assert.That(config.EnableAutoCommit, Is.True, config.ClientId);
            }

            Assert.That(KafkaClientConfig.GroupConsumer(userSet).AutoCommitIntervalMs, Is.EqualTo(1000), "the user's setting wins");
        });
    }

    private static KafkaOptions Options(params (string Key, string Value)[] client)
    {
        var options = new KafkaOptions { BootstrapServers = "127.0.0.1:9", GroupId = "config-tests" };
        foreach (var (key, value) in client)
        {
            options.Client[key] = value;
        }

        return options;
    }
}
