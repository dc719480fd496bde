using System.IO.Ports;

namespace EdgeAgent.Drivers.Serial;

/// <summary>Opens the serial port of a gauge: symlinks (/dev/serial/by-id/…) resolved, line settings applied, input flushed.</summary>
public static class SerialLine
{
    /// <summary>Opens <paramref name="line"/>; a port that cannot be opened is a transient <see cref="SourceException"/> naming it.</summary>
    public static SerialPort Open(SerialPortOptions line, TimeSpan writeTimeout)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (!File.Exists(line.Port))
        {
            throw new SourceException(line.Port, $"cannot open serial port {line.Port}: no such device (unplugged, or a wrong name?)", isTransient: true);
        }

        var path = line.ResolvedPort();
        var port = new SerialPort(path, line.Baud, line.Parity, line.DataBits, line.StopBits)
        {
            Handshake = line.Handshake,
            ReadTimeout = SerialPort.InfiniteTimeout,
            WriteTimeout = (int)Math.Clamp(writeTimeout.TotalMilliseconds, 100, int.MaxValue),
        };
        try
        {
            if (line.Dtr is { } dtr)
            {
                port.DtrEnable = dtr;
            }

            if (line.Rts is { } rts && line.Handshake is not (Handshake.RequestToSend or Handshake.RequestToSendXOnXOff))
            {
                port.RtsEnable = rts;
            }

            port.Open();
            port.DiscardInBuffer();
            return port;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            port.Dispose();
            var via = path == line.Port ? string.Empty : $" (→ {path})";
            throw new SourceException(line.Port, $"cannot open serial port {line.Port}{via}: {e.Message}", isTransient: true, e);
        }
    }
}
