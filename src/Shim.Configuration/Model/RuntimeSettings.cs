namespace Shim.Configuration;

/// <summary>[runtime]: the keys kataplug uses.</summary>
public sealed record RuntimeSettings(
    Setting<VfioMode> VfioMode,
    Setting<bool> EnableDebug,
    Setting<string> DanConf,
    Setting<string> PodResourceApiSock);
