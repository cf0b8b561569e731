namespace Shim.Benchmarks;

public static class Program
{
    // "shim-processes" times cold shim processes (see ShimProcessTimings); everything else is BenchmarkDotNet's.
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == ShimProcesses.ShimProcessTimings.Command)
        {
            return await ShimProcesses.ShimProcessTimings.RunAsync(args);
        }
        BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
