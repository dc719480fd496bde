using System.Runtime.InteropServices;

namespace EdgeAgent.Drivers.Serial;

/// <summary>
/// The receive side of an open serial port on Linux, read with poll(2) and read(2) on a descriptor of its own.
/// System.IO.Ports configures the line (baud, parity, handshake, DTR/RTS; raw mode with VMIN 1) and still sends; its
/// stream is not used for receiving because, while a read is pending, its Unix I/O loop polls the port every
/// millisecond (about 900 wake-ups a second on an idle line). Here the thread sleeps in poll(2) until bytes arrive,
/// waking every <see cref="Wake"/> only to notice cancellation. Elsewhere than Linux the port's stream is read.
/// </summary>
internal sealed partial class TtyInput : IDisposable
{
    /// <summary>How often a thread waiting on a silent line checks for cancellation.</summary>
    public static readonly TimeSpan Wake = TimeSpan.FromMilliseconds(250);

    // Linux open(2) flags and poll(2) events: the same values on x86-64 and arm64 (asm-generic).
    private const int ReadOnly = 0, NoControllingTty = 0x100, NonBlocking = 0x800, CloseOnExec = 0x80000;
    private const short PollIn = 0x1, PollError = 0x8, PollHangUp = 0x10, PollInvalid = 0x20;
    private const int Interrupted = 4, TryAgain = 11;

    private readonly string _port;
    private int _fd;

    private TtyInput(string port, int fd)
    {
        _port = port;
        _fd = fd;
    }

    /// <summary>A reader of <paramref name="path"/> (the resolved device of an open port), or null off Linux.</summary>
    public static TtyInput? Open(string port, string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var fd = Native.Open(path, ReadOnly | NoControllingTty | NonBlocking | CloseOnExec);
        if (fd < 0)
        {
            throw new IOException($"cannot open {path} for reading: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        return new TtyInput(port, fd);
    }

    /// <summary>
    /// Blocks until bytes arrive and reads them into <paramref name="buffer"/>; throws <see cref="IOException"/> when the
    /// device goes away (hang-up, error) and <see cref="OperationCanceledException"/> when cancelled.
    /// </summary>
    public int Read(Span<byte> buffer, CancellationToken cancellationToken)
    {
        var wake = (int)Wake.TotalMilliseconds;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var poll = new PollFd { Fd = _fd, Events = PollIn };
            var ready = Native.Poll(ref poll, 1, wake);
            if (ready < 0)
            {
                ThrowUnlessRetry("poll");
                continue;
            }

            if (ready == 0)
            {
                continue;
            }

            if ((poll.Revents & PollIn) == 0 && (poll.Revents & (PollHangUp | PollError | PollInvalid)) != 0)
            {
                throw new IOException($"serial port {_port} hung up (device gone?)");
            }

            var n = Native.Read(_fd, ref MemoryMarshal.GetReference(buffer), buffer.Length);
            if (n > 0)
            {
                return (int)n;
            }

            if (n == 0)
            {
                throw new IOException($"serial port {_port} closed (device gone?)");
            }

            ThrowUnlessRetry("read");
        }
    }

    private void ThrowUnlessRetry(string call)
    {
        var errno = Marshal.GetLastPInvokeError();
        if (errno is not (Interrupted or TryAgain))
        {
            throw new IOException($"serial port {_port}: {call}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = Native.Close(fd);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    private static partial class Native
    {
        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
        public static partial int Poll(ref PollFd fds, nuint count, int timeout);

        [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
        public static partial nint Read(int fd, ref byte buffer, nint count);

        [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
        public static partial int Close(int fd);
    }
}
