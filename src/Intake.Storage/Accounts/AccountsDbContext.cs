using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Intake.Storage.Accounts;

/// <summary>
/// ASP.NET Core Identity's tables in the PostgreSQL schema <c>accounts</c>, with snake_case names
/// (accounts.users, accounts.user_roles, ...), plus accounts.invitations. The schema itself comes
/// from migration 0005 (generated from this model; <c>AccountsSchemaTests</c> fails when they drift).
/// </summary>
public sealed class AccountsDbContext(DbContextOptions<AccountsDbContext> options)
    : IdentityDbContext<StaffUser, IdentityRole<Guid>, Guid>(options)
{
    public const string Schema = "accounts";

    public DbSet<StaffInvitation> Invitations => Set<StaffInvitation>();

    // Pinned rather than taken from IdentityOptions, so the model (and migration 0005) cannot
    // change with a registration default. Version 2, without passkeys: Version 3's passkey data
    // (a JSON-mapped owned type) does not build a model on Npgsql's EF Core provider 10.0.0, and
    // passkeys are not offered yet (docs/accounts.md).
    protected override Version SchemaVersion => IdentitySchemaVersions.Version2;

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.HasDefaultSchema(Schema);

        builder.Entity<StaffUser>(user =>
        {
            user.ToTable("users");
            user.Property(u => u.DisplayName).HasMaxLength(100);
            user.Property(u => u.Status).HasConversion<string>().HasMaxLength(24);
        });
        builder.Entity<IdentityRole<Guid>>().ToTable("roles");
        builder.Entity<IdentityUserRole<Guid>>().ToTable("user_roles");
        builder.Entity<IdentityUserClaim<Guid>>().ToTable("user_claims");
        builder.Entity<IdentityUserLogin<Guid>>().ToTable("user_logins");
        builder.Entity<IdentityUserToken<Guid>>().ToTable("user_tokens");
        builder.Entity<IdentityRoleClaim<Guid>>().ToTable("role_claims");
        builder.Entity<IdentityUserPasskey<Guid>>(passkey =>
        {
            passkey.ToTable("passkeys");
            passkey.HasKey(p => p.CredentialId);
            passkey.Property(p => p.CredentialId).HasMaxLength(1024);
            passkey.HasOne<StaffUser>().WithMany().HasForeignKey(p => p.UserId).IsRequired();
            passkey.HasIndex(p => p.UserId);
            passkey.OwnsOne(p => p.Data, data =>
            {
                data.Property(d => d.Name).HasMaxLength(100);
            });
        });
        builder.Entity<StaffInvitation>(invitation =>
        {
            invitation.ToTable("invitations");
            invitation.Property(i => i.TokenHash).HasMaxLength(32);
            invitation.HasIndex(i => i.TokenHash).IsUnique();
            invitation.Property(i => i.Role).HasMaxLength(16);
        });

        // Owned types (the passkey's data, in the passkeys table) share their owner's key column.
        foreach (var entity in builder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties().Where(p => !entity.IsOwned() || !p.IsPrimaryKey()))
            {
                property.SetColumnName(SnakeCase(property.Name));
            }
            if (entity.IsOwned())
            {
                continue;
            }
            foreach (var key in entity.GetKeys())
            {
                key.SetName(SnakeCase(key.GetName() ?? ""));
            }
            foreach (var index in entity.GetIndexes())
            {
                index.SetDatabaseName(SnakeCase(index.GetDatabaseName() ?? ""));
            }
            foreach (var foreignKey in entity.GetForeignKeys())
            {
                foreignKey.SetConstraintName(SnakeCase(foreignKey.GetConstraintName() ?? ""));
            }
        }
    }

    internal static string SnakeCase(string name)
    {
        var text = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && name[i - 1] != '_' && (!char.IsUpper(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]))))
                {
                    text.Append('_');
                }
                text.Append(char.ToLowerInvariant(c));
            }
            else
            {
                text.Append(c);
            }
        }
        return text.ToString();
    }
}
