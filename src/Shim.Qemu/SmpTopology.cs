namespace Shim.Qemu;

/// <summary><c>-smp Cpus,maxcpus=MaxCpus,sockets=…,cores=…,threads=…</c>; hot-pluggable slots = MaxCpus − Cpus.</summary>
public sealed record SmpTopology(int Cpus, int MaxCpus, int Sockets, int Cores, int Threads)
{
    /// <summary>One core per socket: each hot-added vCPU is a socket (the shape qmp.md §10 exercised).</summary>
    public static SmpTopology Flat(int cpus, int maxCpus) => new(cpus, maxCpus, maxCpus, 1, 1);

    public void Validate()
    {
        if (Cpus < 1 || MaxCpus < Cpus)
        {
            throw new QemuConfigurationException($"smp: cpus={Cpus} maxcpus={MaxCpus}; need 1 <= cpus <= maxcpus.");
        }
        if (Sockets < 1 || Cores < 1 || Threads < 1 || Sockets * Cores * Threads != MaxCpus)
        {
            throw new QemuConfigurationException(
                $"smp: sockets={Sockets} cores={Cores} threads={Threads} gives {Sockets * Cores * Threads} vCPUs but maxcpus={MaxCpus}; make their product equal maxcpus.");
        }
    }

    public string ToArgument() => $"{Cpus},maxcpus={MaxCpus},sockets={Sockets},cores={Cores},threads={Threads}";
}
