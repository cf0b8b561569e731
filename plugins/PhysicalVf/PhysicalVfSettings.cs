using Shim.Abstractions;

namespace Kataplug.Plugins.PhysicalVf;

/// <summary>The <c>[plugins.physical-vf]</c> table, validated.</summary>
internal sealed record PhysicalVfSettings(
    bool AcceptPhysicalFunctions,
    bool LeaveWhenNoPort,
    bool SetAdminMac,
    bool AllowEmulated,
    bool UseNetworkStatus,
    bool UseDevicePluginEnv,
    IReadOnlyList<FunctionRule> Include,
    IReadOnlyList<FunctionRule> Exclude,
    string KeyPrefix)
{
    public static PhysicalVfSettings From(PluginSettings s) => new(
        s.GetBool("accept_physical_functions", false),
        s.GetChoice("on_no_port", "fail", "fail", "leave") == "leave",
        s.GetBool("set_admin_mac", true),
        s.GetBool("allow_emulated", false),
        s.GetBool("use_network_status", true),
        s.GetBool("use_device_plugin_env", true),
        s.GetTableList("include").Select(FunctionRule.From).ToList(),
        s.GetTableList("exclude").Select(FunctionRule.From).ToList(),
        s.KeyPrefix);
}

/// <summary>
/// An include/exclude rule of this plugin: every field given must match. <c>interface</c> and <c>driver</c> are globs,
/// <c>pf</c> is the VF's parent BDF, <c>vendor_device</c> is <c>vvvv:dddd</c> (glob allowed).
/// </summary>
internal sealed record FunctionRule(string Source, string? Interface, string? Pf, string? VendorDevice, string? Driver)
{
    public static FunctionRule From(PluginSettings t)
    {
        var pf = t.GetOptionalString("pf");
        if (pf is not null && !PciAddressText.TryNormalize(pf, out pf))
            throw new PluginSettingsException(t.FullKey("pf"), $"{t.FullKey("pf")} = \"{t.GetOptionalString("pf")}\" is not a PCI address: write it as 0000:3b:00.0");
        var rule = new FunctionRule(t.KeyPrefix, t.GetOptionalString("interface"), pf, t.GetOptionalString("vendor_device")?.ToLowerInvariant(), t.GetOptionalString("driver"));
        if (rule is { Interface: null, Pf: null, VendorDevice: null, Driver: null })
            throw new PluginSettingsException(t.KeyPrefix, $"{t.KeyPrefix} has no criteria: give at least one of interface, pf, vendor_device, driver");
        return rule;
    }

    public bool Matches(string interfaceName, PciFunctionInfo function) =>
        (Interface is null || NameGlob.Matches(Interface, interfaceName)) &&
        (Pf is null || function.PhysFn == Pf) &&
        (VendorDevice is null || NameGlob.Matches(VendorDevice, function.VendorDevice)) &&
        (Driver is null || (function.Driver is not null && NameGlob.Matches(Driver, function.Driver)));
}
