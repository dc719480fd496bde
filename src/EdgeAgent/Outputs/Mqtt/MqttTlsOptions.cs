namespace EdgeAgent.Outputs.Mqtt;

/// <summary><c>outputs.mqtt.tls</c>. The broker's certificate is always checked (chain and name) unless <see cref="Insecure"/> is written.</summary>
public sealed record MqttTlsOptions
{
    /// <summary>PEM file of the CA(s) that signed the broker's certificate; default: the system trust store.</summary>
    public string? Ca { get; init; }

    /// <summary>PEM client certificate and its PEM private key, for mutual TLS (both or neither).</summary>
    public string? Cert { get; init; }
    public string? Key { get; init; }

    /// <summary>Name the broker's certificate must carry; default: the host of the broker URL.</summary>
    public string? ServerName { get; init; }

    /// <summary>Accept any broker certificate. Only when written as <c>insecure: true</c>; logged as a warning at every connect.</summary>
    public bool Insecure { get; init; }
}
