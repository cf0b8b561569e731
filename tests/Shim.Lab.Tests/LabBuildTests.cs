namespace Shim.Lab.Tests;

/// <summary>hack/lab/build.sh: guest files from Debian packages, cached by package versions.</summary>
[Trait("Category", "Lab")]
public class LabBuildTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Build_yields_a_bootable_elf_kernel_and_a_gzip_initramfs_and_a_second_build_is_a_cache_hit()
    {
        LabRunner.RequirePrerequisites();
        var script = Path.Combine(LabRunner.RepoRoot, "hack", "lab", "build.sh");
        var first = await LabRunner.RunAsync(script, [], TimeSpan.FromMinutes(5));
        output.WriteLine(first.Output);
        first.ExitCode.ShouldBe(0, first.Output);
        var dir = BuiltDirectory(first.Output);
        Directory.Exists(dir).ShouldBeTrue($"build.sh's last line '{dir}' is not a directory");

        var kernel = File.ReadAllBytes(Path.Combine(dir, "vmlinux")).AsSpan(0, 4).ToArray();
        kernel.ShouldBe(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F' }, "vmlinux must be an ELF image (PVH boot)");
        var initrd = File.ReadAllBytes(Path.Combine(dir, "initrd.gz")).AsSpan(0, 2).ToArray();
        initrd.ShouldBe(new byte[] { 0x1f, 0x8b }, "initrd.gz must be gzip");
        File.ReadAllText(Path.Combine(dir, "versions")).ShouldContain("kernel_release=6.1.0-");

        var second = await LabRunner.RunAsync(script, [], TimeSpan.FromMinutes(1));
        second.ExitCode.ShouldBe(0, second.Output);
        second.Output.ShouldContain("cache hit");
        BuiltDirectory(second.Output).ShouldBe(dir);
    }

    // build.sh prints the directory on stdout and narrates on stderr; the two streams interleave in Output, so take
    // the last line that is a path rather than the last line.
    private static string BuiltDirectory(string output) =>
        output.Split('\n').Select(l => l.Trim()).Last(l => l.StartsWith('/'));
}
