using NodaTime;

namespace Tenure.Domain.Instances;

/// <summary>What every command on an instance shares.</summary>
public static class Commands
{
    /// <summary>
    /// A command at <paramref name="now"/> leaves events before that instant behind: a schedule it
    /// changes does not fire retroactively (switching to auto-renew at T-2 makes no T-3 attempt).
    /// The shell runs due events before a command, so nothing due is lost.
    /// </summary>
    public static Instance Touch(Instance instance, Instant now) =>
        instance with { Progress = Progress.Max(instance.Progress, Progress.Before(now)) };

    /// <summary>R8.2: a product that may not be batched with others (ECS) appears with another product.</summary>
    public static Refusal? MixesProducts(Rules rules, IEnumerable<Instance> instances)
    {
        var products = instances.Select(i => i.Product).Distinct().ToList();
        if (products.Count < 2) return null;
        var loner = products.FirstOrDefault(p => !rules.Catalog.Get(p).BatchWithOtherProducts);
        return loner is null
            ? null
            : new Refusal(RefusalCode.BatchMixesProducts,
                $"{loner} instances cannot be batched with other products ({string.Join(", ", products.Where(p => p != loner))}).",
                "items");
    }

    /// <summary>Commands that change a plan need a live subscription instance.</summary>
    public static Refusal? RunningSubscription(Instance instance, string what)
    {
        if (!instance.IsSubscription) return Refusal.State($"{what} applies to subscription instances; {instance.Id} is pay-as-you-go.");
        if (instance.Status != InstanceStatus.Running)
        {
            return Refusal.State($"{what} needs a running instance; {instance.Id} is {instance.Status.ToString().ToLowerInvariant()}.");
        }

        return null;
    }
}
