using BenchmarkDotNet.Attributes;
using EdgeAgent.Drivers;
using EdgeAgent.Outputs.Mqtt;
using EdgeAgent.Outputs.Mqtt.Json;
using EdgeAgent.Outputs.Mqtt.Outbox;
using EdgeAgent.Outputs.Mqtt.Sparkplug;
using EdgeAgent.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;

namespace MqttBenchmarks;

/// <summary>Per-sample cost of the JSON and Sparkplug encoders (what the router thread pays per sample for MQTT).</summary>
[MemoryDiagnoser]
public class EncodeBenchmarks
{
    private readonly Sample[] _batch = new Sample[10];
    private JsonFormat _json = null!;
    private SparkplugFormat _sparkplug = null!;

    [GlobalSetup]
    public void Setup()
    {
        var dir = Directory.CreateTempSubdirectory("encode-bench-").FullName;
        var tags = Enumerable.Range(0, 10).Select(i => new TagConfig { Id = i, Source = "sim", Name = $"t{i}" }).ToArray();
        var context = new MqttContext
        {
            AgentId = "b",
            Site = "s",
            Data = dir,
            Directory = new TagDirectory(tags, ["sim"]),
            Commands = new CommandHub(),
            Metrics = new AgentMetrics(),
            Logger = NullLogger.Instance,
        };
        var options = new MqttOptions { Broker = new Uri("mqtt://127.0.0.1:1") };
        _json = new JsonFormat(context, options, NullEmitter.Instance);
        _sparkplug = new SparkplugFormat(context, options with { Format = "sparkplug" }, NullEmitter.Instance);
        for (var i = 0; i < _batch.Length; i++)
        {
            _batch[i] = Sample.Good(i, 10.0 + i, DateTime.UtcNow.Ticks);
        }
    }

    [Benchmark(Description = "JSON per tag, 10 samples")]
    public void JsonPerTag() => _json.OnSamples(_batch);

    [Benchmark(Description = "Sparkplug DDATA, 10 samples")]
    public void SparkplugDdata() => _sparkplug.OnSamples(_batch);

    private sealed class NullEmitter : IMqttEmitter
    {
        public static readonly NullEmitter Instance = new();

        public void Emit(MessageClass @class, int qos, string topic, byte[] payload, bool retain, bool sparkplug = false)
        {
        }

        public void SendDirect(MqttApplicationMessage message)
        {
        }

        public void RequestRebirth()
        {
        }

        public void Wake()
        {
        }
    }
}
