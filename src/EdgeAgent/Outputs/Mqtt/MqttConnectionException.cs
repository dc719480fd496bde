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

        return string.Join(": ", messages);
    }
}
