namespace EdgeAgent.Drivers.Modbus;

/// <summary>
/// Word and byte order of a multi-register value, named by where the big-endian bytes A (most significant) … D
/// land on the wire. ABCD: big-endian words, high word first (the spec's own order). CDAB: low word first.
/// BADC: bytes swapped inside each word. DCBA: fully little-endian. For 64-bit values the same rule extends to
/// four words (CDAB = lowest word first, each word big-endian). For 16-bit values and strings only the byte swap
/// matters (BADC and DCBA put the low byte of each register first).
/// </summary>
public enum WordOrder : byte
{
    ABCD,
    CDAB,
    BADC,
    DCBA,
}
