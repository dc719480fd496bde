using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using CsCheck;

namespace EdgeAgent.Testing;

/// <summary>
/// Runs a CsCheck property under a deadline that fails the test. <c>Gen.Sample</c> has none of its own: an input that
/// sends the code under test into an endless loop would hang the whole test run, saying neither which property nor
/// which input. Here the property runs on a background thread; if it has not finished (every iteration, and any
/// shrinking) within the deadline, the test fails with a <see cref="TimeoutException"/> naming the property and the
/// inputs still being checked, printed as CsCheck prints them, so that the hang reproduces from the message alone.
/// </summary>
/// <remarks>
/// A stuck thread cannot be stopped (.NET has no thread abort); it is a background thread, so it ends with the test
/// process. Compiled into every test project (tests/Directory.Build.props links this one file).
/// </remarks>
internal static class Deadline
{
    /// <summary>
    /// The deadline for a whole property. Generous on purpose: the suite shares a busy two-core machine with other test
    /// projects, and this guards against hangs; it is not a timing assertion.
    /// </summary>
    public static readonly TimeSpan Property = TimeSpan.FromSeconds(60);

    private const int MaxPrinted = 2000;

    /// <summary>
    /// <c>gen.Sample(assert, iter: iter, threads: threads)</c>, failing after <paramref name="deadline"/>
    /// (default <see cref="Property"/>). A failure of the property itself comes through unchanged (CsCheck's shrunk
    /// input and seed).
    /// </summary>
    public static void SampleWithDeadline<T>(this Gen<T> gen, Action<T> assert, long iter = -1, int threads = -1,
        TimeSpan? deadline = null, [CallerMemberName] string property = "")
    {
        var limit = deadline ?? Property;
        var running = new ConcurrentDictionary<int, T>();
        object? lastStarted = null;
        var failedInputs = 0;
        ExceptionDispatchInfo? failure = null;

        void Checked(T input)
        {
            var thread = Environment.CurrentManagedThreadId;
            running[thread] = input;
            Volatile.Write(ref lastStarted, input);
            try
            {
                assert(input);
            }
            catch
            {
                Interlocked.Increment(ref failedInputs);
                throw;
            }
            finally
            {
                running.TryRemove(thread, out _);
            }
        }

        var worker = new Thread(() =>
        {
            try
            {
                gen.Sample(Checked, iter: iter, threads: threads);
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            IsBackground = true,
            Name = $"property {property}",
        };
        worker.Start();
        if (!worker.Join(limit))
        {
            var stuck = running.Values.Select(Print).ToList();
            var inputs = stuck.Count > 0
                ? $"input{(stuck.Count > 1 ? "s" : string.Empty)} still running: {string.Join(" | ", stuck)}"
                : $"no input running (stuck in the generator or in CsCheck); last input started: {(lastStarted is null ? "none" : Print((T)lastStarted))}";
            var shrinking = Volatile.Read(ref failedInputs) > 0
                ? $"; {failedInputs} input(s) had already failed, so CsCheck was shrinking a failure"
                : string.Empty;
            throw new TimeoutException($"property {property} exceeded its deadline of {limit.TotalSeconds:0.###} s ({inputs}{shrinking})");
        }

        failure?.Throw();
    }

    private static string Print<T>(T input)
    {
        var text = Check.Print(input);
        return text.Length <= MaxPrinted ? text : string.Concat(text.AsSpan(0, MaxPrinted), $"… ({text.Length} characters)");
    }
}
