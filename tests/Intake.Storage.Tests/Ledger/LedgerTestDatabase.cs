using System.Text;
using Intake.Core.Ledger;
using Intake.Storage.Ledger;
using Intake.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Intake.Storage.Tests.Ledger;

/// <summary>A migrated database with the app and purger data sources, for ledger tests.</summary>
public sealed class LedgerTestDatabase : IAsyncDisposable
{
    private LedgerTestDatabase(TestDatabase database)
    {
        Database = database;
        App = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(database.App) { Pooling = true, ApplicationName = "intake-ledger-test" }.ConnectionString);
        Purger = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(database.Purger) { Pooling = true }.ConnectionString);
    }

    public TestDatabase Database { get; }
    public NpgsqlDataSource App { get; }
    public NpgsqlDataSource Purger { get; }
    public LedgerReader Reader => new(App);

    public static async Task<LedgerTestDatabase> CreateAsync(string purpose)
    {
        var database = await TestDatabase.CreateAsync(purpose);
        await new MigrationRunner(database.Migrator, NullLogger<MigrationRunner>.Instance).MigrateAsync(Migration.All);
        return new LedgerTestDatabase(database);
    }

    /// <summary>A backup of this database taken now, restored into a new one (<see cref="TestDatabase.BackUpAndRestoreAsync"/>).</summary>
    public async Task<LedgerTestDatabase> BackUpAndRestoreAsync(string purpose) => new(await Database.BackUpAndRestoreAsync(purpose));

    public LedgerWriter Writer(NpgsqlDataSource? dataSource = null, LedgerWriterOptions? options = null) =>
        new(dataSource ?? App, TimeProvider.System, NullLogger<LedgerWriter>.Instance, options);

    public static LedgerAppend Submission(string marker, int size = 256) =>
        new(LedgerEntryKind.Submission, Guid.NewGuid(), Encoding.UTF8.GetBytes(marker.PadRight(size, '.')),
            [new WrappedKey(Encoding.UTF8.GetBytes("key-id-0123456789")[..16], Encoding.UTF8.GetBytes("wrapped:" + marker))]);

    /// <summary>All leaf hashes in sequence order, as stored.</summary>
    public async Task<List<(long Seq, byte[] LeafHash, LedgerLeaf Leaf)>> ReadAllAsync()
    {
        var rows = new List<(long, byte[], LedgerLeaf)>();
        await using var command = App.CreateCommand(
            "SELECT seq, kind, entry_day, case_id, payload_hash, purged_seq, metadata, leaf_hash FROM intake.ledger_entries ORDER BY seq");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt64(0), (byte[])reader[7], LedgerReader.ReadLeaf(reader)));
        }
        return rows;
    }

    /// <summary>A plain-SQL dump of the whole database, as an attacker holding a backup would have it.</summary>
    public Task<string> DumpAsync() => Database.DumpAsync();

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Purger.DisposeAsync();
        await Database.DisposeAsync();
    }
}
