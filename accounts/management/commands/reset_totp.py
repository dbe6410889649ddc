from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.services import reset_totp


class Command(BaseCommand):
    help = "重置用户的身份验证器（双因素认证）：原设备作废，该用户全部会话结束，下次登录重新绑定。记入审计日志。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="重置原因（记入审计日志），如“手机丢失，本人电话申请”")
        parser.add_argument("--by", default="", help="办理人的用户名（可选）")

    def handle(self, *args, username, reason, by, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"没有用户名为 {username} 的用户。") from exc
        actor = None
        if by:
            actor = User.objects.filter(username=by).first()
            if actor is None:
                raise CommandError(f"没有用户名为 {by} 的用户。")
        revoked = reset_totp(user, reason=reason, actor=actor)
        self.stdout.write(f"已重置 {username} 的身份验证器（作废 {revoked} 个），其全部会话已结束；下次登录须重新绑定。")
