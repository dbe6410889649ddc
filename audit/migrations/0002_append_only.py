
from django.db import migrations, models

# The database refuses to change the trail, whatever the application does (等保2.0 三级 安全审计:
# 对审计记录进行保护，避免受到未预期的删除、修改或覆盖).
# PostgreSQL: no UPDATE; DELETE only of rows past the 180-day floor (网络安全法 第二十一条: 网络日志
# 留存不少于六个月), which the retention purge needs. TRUNCATE (the test flush) fires no row trigger.
# SQLite: no UPDATE. DELETE stays possible because the test flush deletes with DELETE FROM; a
# deleted row is caught by the hash chain (audit.chain.verify) instead.
PG_FORWARD = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.at < now() - interval '180 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '审计日志只能追加，不能修改或删除（%，第%条）。', TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS audit_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER audit_append_only BEFORE UPDATE ON audit_auditevent
BEGIN
    SELECT RAISE(ABORT, '审计日志只能追加，不能修改。');
END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS audit_append_only;"


def _run(sql_by_vendor):
    def run(apps, schema_editor):
        sql = sql_by_vendor.get(schema_editor.connection.vendor)
        if sql:
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)  # one statement each for SQLite, which runs only the first

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='chainhead',
            name='anchor_hash',
            field=models.CharField(default='0000000000000000000000000000000000000000000000000000000000000000', max_length=64),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('login', '登录成功'), ('login_failed', '登录失败'), ('logout', '退出登录'), ('state_change', '状态变更'), ('ranking', '排序变更'), ('score', '评分/投票'), ('export', '导出'), ('import', '导入'), ('download', '下载'), ('view_personal', '查看个人信息明文'), ('config', '配置变更'), ('account', '账号管理'), ('role', '角色授权'), ('security', '安全事件'), ('audit', '审计操作')], db_index=True, max_length=20, verbose_name='操作'),
        ),
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
