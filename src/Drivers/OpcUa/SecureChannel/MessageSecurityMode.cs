namespace EdgeAgent.Drivers.OpcUa.SecureChannel;

/// <summary>MessageSecurityMode (Part 4 §7.20).</summary>
public enum MessageSecurityMode
{
    Invalid = 0,
    None = 1,
    Sign = 2,
    SignAndEncrypt = 3,
}
