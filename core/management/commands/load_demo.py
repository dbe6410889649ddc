from django.core.management.base import BaseCommand

from core.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "载入演示数据：机构树、三个预置活动、一个进行中的演示活动和各角色的演示账号（可重复执行）"

    def handle(self, *args, **options):
        logins = load_demo()
        self.stdout.write("登录须两步：密码，再加身份验证器（TOTP）的 6 位验证码；首次登录时扫码绑定。")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for login in logins:
            self.stdout.write(f"  {login.username:<16} {login.description}")
