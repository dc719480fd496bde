using Microsoft.Extensions.Logging;

namespace EdgeAgent.Pipeline;

/// <summary>Who publishes events about a named thing: an SPC characteristic or a piece of equipment.</summary>
public enum ProducerKind : byte
{
    Characteristic,
    Equipment,
}
