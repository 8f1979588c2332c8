using System.Globalization;
using InviteStream.Core.State;

namespace InviteStream.Benchmarks;

/// <summary>
/// Bytes the contact state store holds per contact with one campaign's invite, excluding the key
/// strings (created before the first measurement).
/// </summary>
internal static class StateStoreMemory
{
    public static void Run(int contacts)
    {
        var keys = new string[contacts];
        for (var i = 0; i < contacts; i++)
        {
            keys[i] = "ext:customer_" + i.ToString("D8", CultureInfo.InvariantCulture);
        }

        var at = new DateTimeOffset(2026, 5, 21, 14, 32, 11, TimeSpan.Zero);
        var before = Settle();
        var store = new ContactStateStore(TimeSpan.FromDays(1));
        for (var i = 0; i < contacts; i++)
        {
            store.ApplyInvite(keys[i], "api-driven-proactive-web-invite", at.AddMilliseconds(i));
        }

        var after = Settle();
        GC.KeepAlive(keys);
        GC.KeepAlive(store);
        var perContact = (after - before) / (double)contacts;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"contacts={contacts} store_count={store.Count}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bytes_per_contact={perContact:F1}"));
    }

    private static long Settle()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
