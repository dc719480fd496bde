using System.Text;
using System.Text.Json;
using EdgeAgent.Outputs.Mqtt;

namespace EdgeAgent.Tests.Mqtt;

/// <summary>Replies and events a person reads carry quotes, apostrophes and non-ASCII text as characters, and stay valid JSON.</summary>
public sealed class ReadableJsonTests
{
    [Fact]
    public void A_reply_error_with_quotes_apostrophes_and_an_ellipsis_is_written_as_characters_and_parses_back_to_the_same_text()
    {
        const string error = "tag \"press1.hold\" is not writable: 'writable: true' is missing… (see Ø 12 µm)";
        var bytes = CommandReplies.Reply(false, error, new DateTime(2026, 12, 2, 10, 0, 0, DateTimeKind.Utc));
        var text = Encoding.UTF8.GetString(bytes);

        Assert.DoesNotContain("\\u", text, StringComparison.Ordinal);
        Assert.Contains("'writable: true' is missing… (see Ø 12 µm)", text, StringComparison.Ordinal);
        Assert.Contains("tag \\\"press1.hold\\\"", text, StringComparison.Ordinal); // the quotation mark JSON itself must escape
        using var json = JsonDocument.Parse(bytes);
        Assert.Equal(error, json.RootElement.GetProperty("error").GetString());
        Assert.False(json.RootElement.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public void A_control_character_in_a_reply_is_still_escaped_so_the_payload_stays_valid_json()
    {
        var bytes = CommandReplies.Reply(false, "line one\nline two\u0001", DateTime.UnixEpoch);
        var text = Encoding.UTF8.GetString(bytes);

        Assert.Contains("line one\\nline two\\u0001", text, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(bytes);
        Assert.Equal("line one\nline two\u0001", json.RootElement.GetProperty("error").GetString());
    }
}
