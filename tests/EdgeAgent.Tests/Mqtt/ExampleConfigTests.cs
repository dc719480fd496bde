using EdgeAgent.Hosting;
using EdgeAgent.Config;
using EdgeAgent.Outputs.Mqtt.Plugin;

namespace EdgeAgent.Tests.Mqtt;

/// <summary>The MQTT example configurations beside src/EdgeAgent/Outputs/Mqtt/README.md stay valid.</summary>
public sealed class ExampleConfigTests
{
    [Theory]
    [InlineData("example.yaml")]
    [InlineData("example-sparkplug.yaml")]
    public void Example_loads_without_errors(string file)
    {
        var (config, errors) = ConfigLoader.TryLoad(Repo.PathOf("src", "EdgeAgent", "Outputs", "Mqtt", file));
        Assert.False(errors.HasErrors, string.Join("\n", errors.Sorted()));
        Assert.NotNull(config!.Mqtt());
    }

    [Fact]
    public void The_TLS_example_fails_only_for_the_certificate_files_this_machine_does_not_have()
    {
        var (_, errors) = ConfigLoader.TryLoad(Repo.PathOf("src", "EdgeAgent", "Outputs", "Mqtt", "example-tls.yaml"), name => name == "MQTT_PASSWORD" ? "x" : null);
        Assert.All(errors.Sorted(), e => Assert.Contains("file not found", e.ToString()));
        Assert.Equal(3, errors.Errors.Count);
    }
}
