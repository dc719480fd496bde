namespace EdgeAgent.Drivers.Serial;

/// <summary>
/// Frame → readings → samples for one source: the framer, the profile, and each tag's conversion. The hot path of the
/// driver: after construction nothing is allocated per frame (the regex profile excepted, see <see cref="RegexProfile"/>).
/// </summary>
public sealed class GaugeDecoder
{
    private readonly SerialFramer _framer;
    private readonly GaugeProfile _profile;
    private readonly GaugeUnit _gaugeUnit;
    private readonly int[] _ids;
    private readonly SerialTagOptions[] _tags;
    private readonly Sample[] _samples;

    public GaugeDecoder(SerialSourceOptions options, IReadOnlyList<TagBinding> tags)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tags);
        _framer = new SerialFramer(options.Framing);
        _profile = GaugeProfile.Create(options.Profile, options.Pattern);
        _gaugeUnit = options.GaugeUnit;
        _ids = new int[tags.Count];
        _tags = new SerialTagOptions[tags.Count];
        for (var i = 0; i < tags.Count; i++)
        {
            _ids[i] = tags[i].Id;
            _tags[i] = tags[i].Options as SerialTagOptions ?? new SerialTagOptions();
        }

        _samples = new Sample[tags.Count];
    }

    public SerialFramer Framer => _framer;

    public GaugeProfile Profile => _profile;

    /// <summary>Frames the profile did not recognise (dropped and counted).</summary>
    public long Malformed { get; private set; }

    /// <summary>The last frame (a view of the framer's buffer, valid until the next <see cref="Next"/>).</summary>
    public ReadOnlySpan<byte> LastFrame => _lastFrame.AsSpan(0, _lastLength);

    /// <summary>The last reading parsed.</summary>
    public GaugeReading LastReading { get; private set; }

    /// <summary>Why the last reading is Bad for at least one tag (Stable when every tag is Good or Uncertain).</summary>
    public ReadingStatus LastStatus { get; private set; }

    private byte[] _lastFrame = new byte[64];
    private int _lastLength;

    /// <summary>
    /// Consumes <paramref name="input"/> up to the next event. <see cref="DecodeResult.Reading"/>: <paramref name="samples"/>
    /// holds one sample per tag (part tags carry NaN until <see cref="Stamp"/>); valid until the next call.
    /// </summary>
    public DecodeResult Next(ref ReadOnlySpan<byte> input, long ticks, out ReadOnlySpan<Sample> samples)
    {
        samples = default;
        switch (_framer.Next(ref input, out var frame))
        {
            case FrameResult.NeedMore:
                return DecodeResult.NeedMore;
            case FrameResult.Dropped:
                return DecodeResult.Dropped;
        }

        Keep(frame);
        if (!_profile.TryParse(frame, out var reading))
        {
            Malformed++;
            return DecodeResult.Malformed;
        }

        LastReading = reading;
        LastStatus = ReadingStatus.Stable;
        for (var i = 0; i < _tags.Length; i++)
        {
            if (_tags[i].Value == SerialTagValue.Part)
            {
                _samples[i] = new Sample(_ids[i], double.NaN, Quality.Bad, ticks, ticks);
                continue;
            }

            var status = Convert(reading, _tags[i].Unit, out var value);
            var quality = status == ReadingStatus.Stable || status == ReadingStatus.Dynamic ? reading.Quality : Quality.Bad;
            if (quality == Quality.Bad && LastStatus == ReadingStatus.Stable)
            {
                LastStatus = status;
            }

            _samples[i] = new Sample(_ids[i], quality == Quality.Bad ? double.NaN : value, quality, ticks, ticks);
        }

        samples = _samples;
        return DecodeResult.Reading;
    }

    /// <summary>Sets every part tag's sample of the last reading to <paramref name="part"/> (the part tag's latest sample).</summary>
    public void Stamp(in Sample part, long ticks)
    {
        for (var i = 0; i < _tags.Length; i++)
        {
            if (_tags[i].Value == SerialTagValue.Part)
            {
                _samples[i] = part.SourceTicks == 0
                    ? new Sample(_ids[i], double.NaN, Quality.Bad, ticks, ticks)
                    : new Sample(_ids[i], part.Value, part.Quality, ticks, ticks) { Text = part.Text };
            }
        }
    }

    /// <summary>One Bad sample per tag (port down, no answer), for the pipeline to see the gap.</summary>
    public ReadOnlySpan<Sample> Bad(long ticks)
    {
        for (var i = 0; i < _ids.Length; i++)
        {
            _samples[i] = Sample.Bad(_ids[i], ticks);
        }

        return _samples;
    }

    /// <summary><paramref name="reading"/> in <paramref name="unit"/>: Stable or Dynamic when it converts, else why not.</summary>
    public ReadingStatus Convert(in GaugeReading reading, GaugeUnit? unit, out double value)
    {
        value = double.NaN;
        if (reading.Quality == Quality.Bad)
        {
            return reading.Status;
        }

        var sent = reading.Unit == GaugeUnit.None ? _gaugeUnit : reading.Unit;
        if (sent == GaugeUnit.Unknown)
        {
            return ReadingStatus.UnknownUnit;
        }

        if (unit is not { } wanted)
        {
            value = reading.Value;
            return reading.Status;
        }

        if (sent == GaugeUnit.None)
        {
            return ReadingStatus.NoUnit;
        }

        return GaugeUnits.TryConvert(reading.Value, sent, wanted, out value) ? reading.Status : ReadingStatus.UnitMismatch;
    }

    private void Keep(ReadOnlySpan<byte> frame)
    {
        if (frame.Length > _lastFrame.Length)
        {
            _lastFrame = new byte[Math.Max(frame.Length, _lastFrame.Length * 2)];
        }

        frame.CopyTo(_lastFrame);
        _lastLength = frame.Length;
    }

    public void Reset() => _framer.Reset();
}

public enum DecodeResult : byte
{
    NeedMore = 0,
    Reading,
    Dropped,
    Malformed,
}
