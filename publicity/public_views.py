from django.shortcuts import render


def notice_list(request):
    return render(request, "public/notice_list.html", {})
