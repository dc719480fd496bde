namespace EdgeAgent.Outputs.Mqtt;

/// <summary>
/// Why the agent cannot talk to the broker: <see cref="Broker"/> names it, <see cref="IsTransient"/> says whether
/// waiting may help (a broker down: yes; refused credentials or an untrusted certificate: not without a config change).
/// </summary>
public sealed class MqttConnectionException : Exception
{
    public MqttConnectionException(string broker, string message, bool isTransient, Exception? inner = null)
        : base(message, inner)
    {
        Broker = broker;
        IsTransient = isTransient;
    }

    public string Broker { get; }
    public bool IsTransient { get; }

    /// <summary>One line for the log: the TLS reason when the handshake failed, else the innermost useful message.</summary>
    internal static string Describe(Exception ex, MqttTls? tls)
    {
        if (tls?.Reason is { } reason)
        {
            return reason;
        }

        if (ex is MqttConnectionException)
        {
            return ex.Message;
        }

        var messages = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (!string.IsNullOrWhiteSpace(e.Message) && !messages.Contains(e.Message))
            {
                messages.Add(e.Message);
            }
        }

        var text = string.Join(": ", messages);

        // A broker that requires a client certificate accepts the handshake and then drops the connection (TLS 1.3 sends its
        // "certificate required" alert after the handshake, which the socket reports only as a closed connection).
        return tls is { BrokerAccepted: true, HasClientCertificate: false }
            ? $"{text} (the broker closed the TLS connection after its certificate was accepted: a broker that requires a client certificate does this, and none is configured: set tls.cert and tls.key)"
            : text;
    }
}
