using System.Buffers.Text;
using System.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace EdgeAgent.Outputs.Prometheus;

/// <summary>
/// The process and .NET runtime figures of a scrape, under the names Prometheus client libraries use for them
/// (<c>process_*</c> as in the Prometheus "process metrics" convention, <c>dotnet_*</c> for the runtime), read from the
/// runtime's own counters at scrape time: nothing runs between scrapes.
/// </summary>
internal sealed class RuntimeMetrics
{
    private static readonly byte[] CpuHeader = Header("process_cpu_seconds_total", "counter", "User and system CPU time of the process.");
    private static readonly byte[] Cpu = MetricsExposition.Utf8("process_cpu_seconds_total ");
    private static readonly byte[] RssHeader = Header("process_resident_memory_bytes", "gauge", "Resident set size of the process.");
    private static readonly byte[] Rss = MetricsExposition.Utf8("process_resident_memory_bytes ");
    private static readonly byte[] StartHeader = Header("process_start_time_seconds", "gauge", "Start of the process, seconds since the Unix epoch.");
    private static readonly byte[] Start = MetricsExposition.Utf8("process_start_time_seconds ");
    private static readonly byte[] GcHeader = Header("dotnet_gc_collections_total", "counter", "Garbage collections by generation.");
    private static readonly byte[][] Gc = [MetricsExposition.Utf8("dotnet_gc_collections_total{generation=\"0\"} "), MetricsExposition.Utf8("dotnet_gc_collections_total{generation=\"1\"} "), MetricsExposition.Utf8("dotnet_gc_collections_total{generation=\"2\"} ")];
    private static readonly byte[] PauseHeader = Header("dotnet_gc_pause_seconds_total", "counter", "Time the runtime was paused for garbage collections.");
    private static readonly byte[] Pause = MetricsExposition.Utf8("dotnet_gc_pause_seconds_total ");
    private static readonly byte[] HeapHeader = Header("dotnet_gc_heap_bytes", "gauge", "Bytes in use on the managed heap (as of the last collection, plus what was allocated since).");
    private static readonly byte[] Heap = MetricsExposition.Utf8("dotnet_gc_heap_bytes ");
    private static readonly byte[] AllocatedHeader = Header("dotnet_allocated_bytes_total", "counter", "Bytes allocated on the managed heap since the process started.");
    private static readonly byte[] Allocated = MetricsExposition.Utf8("dotnet_allocated_bytes_total ");
    private static readonly byte[] ThreadsHeader = Header("dotnet_threadpool_threads", "gauge", "Thread pool threads.");
    private static readonly byte[] Threads = MetricsExposition.Utf8("dotnet_threadpool_threads ");
    private static readonly byte[] QueueHeader = Header("dotnet_threadpool_queue_length", "gauge", "Work items queued to the thread pool and not yet started.");
    private static readonly byte[] Queue = MetricsExposition.Utf8("dotnet_threadpool_queue_length ");
    private static readonly byte[] ContentionHeader = Header("dotnet_monitor_lock_contentions_total", "counter", "Times a thread waited for a lock held by another.");
    private static readonly byte[] Contention = MetricsExposition.Utf8("dotnet_monitor_lock_contentions_total ");

    private readonly double _startSeconds;
    private readonly SafeFileHandle? _statm;
    private readonly byte[] _statmBuffer = new byte[128];

    public RuntimeMetrics()
    {
        using var self = Process.GetCurrentProcess();
        _startSeconds = new DateTimeOffset(self.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
        try
        {
            _statm = File.OpenHandle("/proc/self/statm");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _statm = null; // not Linux: Environment.WorkingSet instead
        }
    }

    /// <summary>
    /// Resident set size from /proc/self/statm ("size resident shared …", in pages), re-read at offset 0 with the handle
    /// kept open: Environment.WorkingSet would build a Process object (3 KB) on every scrape.
    /// </summary>
    private long ResidentBytes()
    {
        if (_statm is null)
        {
            return Environment.WorkingSet;
        }

        lock (_statmBuffer)
        {
            var n = RandomAccess.Read(_statm, _statmBuffer, 0);
            var text = _statmBuffer.AsSpan(0, n);
            var space = text.IndexOf((byte)' ');
            if (space < 0 || !Utf8Parser.TryParse(text[(space + 1)..], out long pages, out _))
            {
                return Environment.WorkingSet;
            }

            return pages * Environment.SystemPageSize;
        }
    }

    public void Write(ref Utf8Writer w)
    {
        var cpu = Environment.CpuUsage.TotalTime;
        Line(ref w, CpuHeader, Cpu);
        w.Double(cpu.TotalSeconds);
        w.Newline();
        Line(ref w, RssHeader, Rss);
        w.Long(ResidentBytes());
        w.Newline();
        Line(ref w, StartHeader, Start);
        w.Double(_startSeconds);
        w.Newline();
        w.Bytes(GcHeader);
        for (var gen = 0; gen < Gc.Length; gen++)
        {
            w.Bytes(Gc[gen]);
            w.Long(GC.CollectionCount(gen));
            w.Newline();
        }

        Line(ref w, PauseHeader, Pause);
        w.Double(GC.GetTotalPauseDuration().TotalSeconds);
        w.Newline();
        Line(ref w, HeapHeader, Heap);
        w.Long(GC.GetTotalMemory(forceFullCollection: false));
        w.Newline();
        Line(ref w, AllocatedHeader, Allocated);
        w.Long(GC.GetTotalAllocatedBytes(precise: false));
        w.Newline();
        Line(ref w, ThreadsHeader, Threads);
        w.Long(ThreadPool.ThreadCount);
        w.Newline();
        Line(ref w, QueueHeader, Queue);
        w.Long(ThreadPool.PendingWorkItemCount);
        w.Newline();
        Line(ref w, ContentionHeader, Contention);
        w.Long(Monitor.LockContentionCount);
        w.Newline();
    }

    private static void Line(ref Utf8Writer w, byte[] header, byte[] prefix)
    {
        w.Bytes(header);
        w.Bytes(prefix);
    }

    private static byte[] Header(string name, string type, string help) => MetricsExposition.Utf8($"# HELP {name} {help}\n# TYPE {name} {type}\n");
}
