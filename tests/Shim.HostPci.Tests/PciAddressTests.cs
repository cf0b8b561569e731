using FsCheck.Xunit;

namespace Shim.HostPci.Tests;

public class PciAddressTests
{
    [Theory]
    [InlineData("0000:3b:02.1", 0u, 0x3b, 2, 1, "0000:3b:02.1")]
    [InlineData("0000:FF:1F.7", 0u, 0xff, 0x1f, 7, "0000:ff:1f.7")]
    [InlineData("10000:00:00.0", 0x10000u, 0, 0, 0, "10000:00:00.0")]
    [InlineData("ffffffff:00:00.0", 0xffffffffu, 0, 0, 0, "ffffffff:00:00.0")]
    public void Parses_strict_bdfs_and_normalises_to_lower_case(string text, uint domain, int bus, int device, int function, string canonical)
    {
        var a = PciAddress.Parse(text);
        a.ShouldBe(new PciAddress(domain, (byte)bus, (byte)device, (byte)function));
        a.ToString().ShouldBe(canonical);
    }

    [Theory]
    [InlineData("")]
    [InlineData("3b:02.1")]                 // no domain
    [InlineData("000:3b:02.1")]             // 3-digit domain
    [InlineData("000000000:3b:02.1")]       // 9-digit domain (overlong)
    [InlineData("0000:3b:20.0")]            // device > 1f
    [InlineData("0000:3b:02.8")]            // function > 7
    [InlineData("0000:3b:2.1")]             // wrong digit count
    [InlineData("0000:3b:02.1\n")]          // trailing newline
    [InlineData(" 0000:3b:02.1")]           // whitespace
    [InlineData("0000:3b:02.1 ")]
    [InlineData("0000:3b:02.1\0")]          // NUL
    [InlineData("0000:3b\0:02.1")]
    [InlineData("../../../etc")]
    [InlineData("0000:3b:02.1/../../x")]
    [InlineData("/000:3b:02.1")]
    [InlineData("..00:3b:02.1")]
    [InlineData("0000/3b:02.1")]
    [InlineData("0000:3b:02:1")]
    [InlineData("٠٠٠٠:٣b:٠٢.١")]            // Arabic-Indic digits
    [InlineData("００００:3b:02.1")]          // fullwidth digits
    [InlineData("0000:3b:0２.1")]
    [InlineData("0x00:3b:02.1")]
    [InlineData("-000:3b:02.1")]
    [InlineData("0000:3g:02.1")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:3b:02.1")]
    public void Rejects_anything_else_before_it_reaches_a_path(string text)
    {
        PciAddress.TryParse(text, out _).ShouldBeFalse();
        var e = Should.Throw<FormatException>(() => PciAddress.Parse(text));
        e.Message.ShouldContain("dddd:bb:dd.f");
    }

    [Fact]
    public void Null_is_rejected() => PciAddress.TryParse(null, out _).ShouldBeFalse();

    [Property]
    public bool Round_trips_every_valid_address(ushort domain, byte bus, byte device, byte function)
    {
        var a = new PciAddress(domain, bus, (byte)(device & 0x1f), (byte)(function & 7));
        return PciAddress.Parse(a.ToString()) == a && PciAddress.Parse(a.ToString().ToUpperInvariant()) == a;
    }

    [Property]
    public bool Anything_accepted_is_a_safe_path_component(string? text) =>
        !PciAddress.TryParse(text, out var a)
        || (string.Equals(a.ToString(), text, StringComparison.OrdinalIgnoreCase) && !a.ToString().Contains('/') && !a.ToString().Contains(".."));

    [Fact]
    public void Routing_id_arithmetic_matches_the_kernel()
    {
        var pf = PciAddress.Parse("0000:3b:00.0");
        PciAddress.FromRoutingId(0, pf.RoutingId + 12 + 5).ToString().ShouldBe("0000:3b:02.1");
        PciAddress.FromRoutingId(0, 0x3bff + 1).ToString().ShouldBe("0000:3c:00.0");
    }

    [Fact]
    public void Orders_by_domain_bus_device_function()
    {
        var list = new[] { "0001:00:00.0", "0000:3b:02.1", "0000:3b:00.7", "0000:00:1f.0" }.Select(PciAddress.Parse).Order().Select(a => a.ToString());
        list.ShouldBe(["0000:00:1f.0", "0000:3b:00.7", "0000:3b:02.1", "0001:00:00.0"]);
    }
}
