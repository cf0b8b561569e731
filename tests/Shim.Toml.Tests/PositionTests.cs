using System.Text;
using static Shim.Toml.Tests.TomlAssert;

namespace Shim.Toml.Tests;

/// <summary>Value positions and key positions, which the configuration layer puts in its messages.</summary>
public class PositionTests
{
    private const string Config = """
        # Kata-like configuration
        [hypervisor.qemu]
        path = "/usr/bin/qemu-system-x86_64"
        pcie_root_port =   20
          "quoted key" = [1, 2]

        [[plugins]]
        name = 'vfio'
        opts = { slot.a = true }
        """;

    [Fact]
    public void Values_record_where_they_start_and_keys_where_they_were_written()
    {
        var doc = Doc(Config);
        var qemu = (TomlTable)doc.At("hypervisor.qemu");
        qemu.KeyPosition("pcie_root_port").ShouldBe(new TomlPosition(4, 1));
        qemu["pcie_root_port"].Position.ShouldBe(new TomlPosition(4, 20));
        qemu.KeyPosition("path").ShouldBe(new TomlPosition(3, 1));
        qemu["path"].Position.ShouldBe(new TomlPosition(3, 8));
        qemu.KeyPosition("quoted key").ShouldBe(new TomlPosition(5, 3));
        var array = (TomlArray)qemu["quoted key"];
        array.Position.ShouldBe(new TomlPosition(5, 18));
        array[1].Position.ShouldBe(new TomlPosition(5, 22));
    }

    [Fact]
    public void Header_tables_record_the_header_and_their_key()
    {
        var doc = Doc(Config);
        var hypervisor = (TomlTable)doc["hypervisor"];
        hypervisor.Position.ShouldBe(new TomlPosition(2, 2));
        doc.KeyPosition("hypervisor").ShouldBe(new TomlPosition(2, 2));
        hypervisor.KeyPosition("qemu").ShouldBe(new TomlPosition(2, 13));
        hypervisor["qemu"].Position.ShouldBe(new TomlPosition(2, 1));
        var plugins = (TomlArray)doc["plugins"];
        plugins.Position.ShouldBe(new TomlPosition(7, 1));
        var plugin = (TomlTable)plugins[0];
        plugin["opts"].Position.ShouldBe(new TomlPosition(9, 8));
        var slot = (TomlTable)((TomlTable)plugin["opts"])["slot"];
        ((TomlTable)plugin["opts"]).KeyPosition("slot").ShouldBe(new TomlPosition(9, 10));
        slot.KeyPosition("a").ShouldBe(new TomlPosition(9, 15));
        slot["a"].Position.ShouldBe(new TomlPosition(9, 19));
    }

    [Fact]
    public void An_implicit_table_defined_later_takes_the_later_header_position()
    {
        var doc = Doc("[a.b]\nx = 1\n\n[a]\ny = 2");
        doc["a"].Position.ShouldBe(new TomlPosition(4, 1));
        doc.KeyPosition("a").ShouldBe(new TomlPosition(4, 2));
    }

    [Fact]
    public void Columns_count_unicode_scalar_values_not_bytes_or_utf16_units()
    {
        var doc = Doc("k = \"é😀\"\n\"😀é\" = 7");
        doc.KeyPosition("😀é").ShouldBe(new TomlPosition(2, 1));
        doc["😀é"].Position.ShouldBe(new TomlPosition(2, 8));
        var error = Rejects("a = \"😀é\" x");
        error.Position.ShouldBe(new TomlPosition(1, 10));
    }

    [Fact]
    public void Crlf_documents_count_lines_once()
    {
        var doc = TomlParser.Parse(Encoding.UTF8.GetBytes("a = 1\r\nb = \"\"\"x\r\ny\"\"\"\r\nc = 3\r\n"), "crlf.toml");
        doc["c"].Position.ShouldBe(new TomlPosition(4, 5));
        ((TomlValue)doc["b"]).Value.ShouldBe("x\ny");
    }

    [Fact]
    public void A_byte_order_mark_is_not_a_column()
    {
        var doc = TomlParser.Parse([0xEF, 0xBB, 0xBF, .. "a = 1"u8], "bom.toml");
        doc["a"].Position.ShouldBe(new TomlPosition(1, 5));
        TomlParser.Parse("\uFEFFa = 1", "bom.toml")["a"].Position.ShouldBe(new TomlPosition(1, 5));
    }

    [Fact]
    public void Errors_after_many_lines_report_the_right_line()
    {
        var text = string.Concat(Enumerable.Range(0, 500).Select(i => $"k{i} = {i}\n")) + "bad = [1,\n 2,\n 3 4]\n";
        var error = Rejects(text);
        error.Position.ShouldBe(new TomlPosition(503, 4));
        error.Message.ShouldStartWith("test.toml:503:4: expected ',' or ']'");
    }
}
