using System.Text;
using CsCheck;

namespace EdgeAgent.Drivers.Serial.Tests;

public class FramerTests
{
    /// <summary>Feeds <paramref name="bytes"/> in chunks of <paramref name="chunk"/>; returns the frames (as text) and the drops.</summary>
    internal static (List<string> Frames, List<FrameDrop> Drops) Run(SerialFramingOptions options, byte[] bytes, int chunk = 1)
    {
        var framer = new SerialFramer(options);
        var frames = new List<string>();
        var drops = new List<FrameDrop>();
        for (var at = 0; at < bytes.Length; at += chunk)
        {
            ReadOnlySpan<byte> input = bytes.AsSpan(at, Math.Min(chunk, bytes.Length - at));
            while (true)
            {
                var result = framer.Next(ref input, out var frame);
                if (result == FrameResult.NeedMore)
                {
                    break;
                }

                if (result == FrameResult.Frame)
                {
                    frames.Add(Encoding.Latin1.GetString(frame));
                }
                else
                {
                    drops.Add(framer.LastDrop);
                }
            }
        }

        return (frames, drops);
    }

    private static byte[] B(string text) => Encoding.Latin1.GetBytes(text);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(64)]
    public void Line_framing_without_terminator_splits_on_cr_lf_and_crlf_and_skips_empty_lines(int chunk)
    {
        var (frames, drops) = Run(new SerialFramingOptions(), B("a\rb\nc\r\n\r\nd\r\n"), chunk);
        Assert.Equal(["a", "b", "c", "d"], frames);
        Assert.Empty(drops);
    }

    [Theory]
    [InlineData("\r")]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("#!")]
    public void Line_framing_with_a_terminator_ends_frames_only_there(string terminator)
    {
        var text = $"S S 1.0 g{terminator}x\ry{terminator}";
        var (frames, _) = Run(new SerialFramingOptions { Terminator = B(terminator) }, B(text));
        Assert.Equal(terminator == "\r" ? ["S S 1.0 g", "x", "y"] : ["S S 1.0 g", "x\ry"], frames);
    }

    [Fact]
    public void A_crlf_terminator_split_across_chunks_still_ends_the_frame()
    {
        var (frames, _) = Run(new SerialFramingOptions { Terminator = B("\r\n") }, B("12.5 mm\r\n13.5 mm\r\n"), chunk: 8);
        Assert.Equal(["12.5 mm", "13.5 mm"], frames);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("\r\n")]
    public void An_over_long_line_is_dropped_once_and_the_next_line_is_read(string? terminator)
    {
        var options = new SerialFramingOptions { MaxLength = 8, Terminator = terminator is null ? null : B(terminator) };
        var (frames, drops) = Run(options, B("ok1\r\n" + new string('x', 50) + "\r\nok2\r\n"));
        Assert.Equal(["ok1", "ok2"], frames);
        Assert.Equal([FrameDrop.TooLong], drops);
    }

    [Fact]
    public void A_line_of_exactly_max_length_is_kept()
    {
        var (frames, drops) = Run(new SerialFramingOptions { MaxLength = 4 }, B("abcd\r"));
        Assert.Equal(["abcd"], frames);
        Assert.Empty(drops);
    }

    [Fact]
    public void Fixed_framing_cuts_frames_of_the_length_and_strips_the_terminator()
    {
        var options = new SerialFramingOptions { Kind = FramingKind.Fixed, Length = 7, Terminator = B("\r\n") };
        var (frames, drops) = Run(options, B("+1.25\r\n-2.50\r\n"), chunk: 5);
        Assert.Equal(["+1.25", "-2.50"], frames);
        Assert.Empty(drops);
    }

    [Fact]
    public void A_fixed_frame_without_its_terminator_is_broken_and_the_stream_resyncs_on_the_next_terminator()
    {
        var options = new SerialFramingOptions { Kind = FramingKind.Fixed, Length = 7, Terminator = B("\r\n") };
        // "+1.2" lost a byte: the frame "+1.2\r\n-" is broken; the bytes after its CRLF start the next frame.
        var (frames, drops) = Run(options, B("+1.2\r\n-2.50\r\n+3.75\r\n"));
        Assert.Equal([FrameDrop.Broken], drops);
        Assert.Equal(["-2.50", "+3.75"], frames);
    }

    [Fact]
    public void A_fixed_frame_with_no_terminator_at_all_skips_to_the_next_terminator()
    {
        var options = new SerialFramingOptions { Kind = FramingKind.Fixed, Length = 4, Terminator = B("\r") };
        var (frames, drops) = Run(options, B("garbage!!!\rab1\r"));
        Assert.Equal([FrameDrop.Broken], drops);
        Assert.Equal(["ab1"], frames);
    }

    [Fact]
    public void Stx_etx_framing_reads_between_the_markers_and_ignores_line_ends_between_frames()
    {
        var options = new SerialFramingOptions { Kind = FramingKind.StxEtx };
        var (frames, drops) = Run(options, B("\u000212.5 g\u0003\r\n\u000213.5 g\u0003"));
        Assert.Equal(["12.5 g", "13.5 g"], frames);
        Assert.Empty(drops);
    }

    [Fact]
    public void Stx_etx_counts_garbage_a_broken_frame_and_an_over_long_frame_and_resyncs_on_stx()
    {
        var options = new SerialFramingOptions { Kind = FramingKind.StxEtx, MaxLength = 8 };
        var text = "junk\u0002ok1\u0003\u0002cut\u0002ok2\u0003\u0002" + new string('x', 20) + "\u0003\u0002ok3\u0003";
        var (frames, drops) = Run(options, B(text));
        Assert.Equal(["ok1", "ok2", "ok3"], frames);
        Assert.Equal([FrameDrop.Garbage, FrameDrop.Broken, FrameDrop.TooLong], drops);
    }

    [Fact]
    public void Arbitrary_bytes_in_arbitrary_chunks_never_crash_and_never_yield_a_frame_over_max_length()
    {
        var framings = Gen.OneOfConst(
            new SerialFramingOptions { MaxLength = 16 },
            new SerialFramingOptions { MaxLength = 16, Terminator = B("\r\n") },
            new SerialFramingOptions { Kind = FramingKind.Fixed, Length = 8, Terminator = B("\r\n"), MaxLength = 16 },
            new SerialFramingOptions { Kind = FramingKind.Fixed, Length = 8 },
            new SerialFramingOptions { Kind = FramingKind.StxEtx, MaxLength = 16 });
        var bytes = Gen.OneOf(Gen.Byte, Gen.OneOfConst((byte)'\r', (byte)'\n', (byte)2, (byte)3, (byte)'1')).Array[0, 400];
        Gen.Select(framings, bytes, Gen.Int[1, 40]).SampleWithDeadline(input =>
        {
            var (options, data, chunk) = input;
            var (frames, _) = Run(options, data, chunk);
            Assert.True(frames.TrueForAll(f => f.Length <= Math.Max(options.MaxLength, options.Length)), "a frame longer than the maximum");
        }, iter: 3000);
    }
}
